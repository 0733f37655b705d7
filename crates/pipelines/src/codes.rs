//! Dataverse error codes (spec §5.7, §8.11) as the host sends them in `error.code`
//! (hex text) and inside `validationresults` (`ErrorCode`, signed 32-bit).

/// A Dataverse error code, e.g. `0x80040217`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(pub u32);

impl ErrorCode {
    /// The `error.code` text of the Web API envelope: `0x` and eight lower-case hex digits.
    pub fn hex(self) -> String {
        format!("0x{:08x}", self.0)
    }

    /// The signed value used by `SolutionValidationResult.ErrorCode`.
    pub fn signed(self) -> i32 {
        self.0 as i32
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

/// A record with this id does not exist.
pub const OBJECT_DOES_NOT_EXIST: ErrorCode = ErrorCode(0x8004_0217);
/// Generic invalid argument / bad request.
pub const INVALID_ARGUMENT: ErrorCode = ErrorCode(0x8004_0203);
/// Malformed OData query or unsupported query option.
pub const QUERY_BUILDER_ERROR: ErrorCode = ErrorCode(0x8006_0888);
/// Optimistic concurrency failure (stale `If-Match`).
pub const CONCURRENCY_VERSION_MISMATCH: ErrorCode = ErrorCode(0x8006_0882);
/// A record with the same primary key already exists.
pub const DUPLICATE_RECORD: ErrorCode = ErrorCode(0x8004_0237);
/// A managed package was imported over an unmanaged copy in the target.
pub const MANAGED_OVER_UNMANAGED: ErrorCode = ErrorCode(0x8004_8040);
/// The solution has missing dependencies in the target.
pub const MISSING_DEPENDENCIES: ErrorCode = ErrorCode(0x8004_801d);
/// The package version is lower than the installed one. Emulator-chosen code [I]:
/// no source attests the code a real host uses for a downgrade.
pub const SOLUTION_DOWNGRADE: ErrorCode = ErrorCode(0x8004_8062);
/// A deployment setting (connection or variable value) is invalid. Emulator-chosen [I].
pub const INVALID_DEPLOYMENT_SETTING: ErrorCode = ErrorCode(0x8004_8063);
/// Plug-in / business-logic failure (how the Pipelines app reports refused operations).
pub const PLUGIN_ERROR: ErrorCode = ErrorCode(0x8004_0265);
/// Privilege check failed.
pub const PRIVILEGE_DENIED: ErrorCode = ErrorCode(0x8004_0220);
/// Request is not supported (e.g. `$batch`).
pub const NOT_SUPPORTED: ErrorCode = ErrorCode(0x8004_0216);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_signed_forms_match_the_spec() {
        assert_eq!(MANAGED_OVER_UNMANAGED.hex(), "0x80048040");
        assert_eq!(MANAGED_OVER_UNMANAGED.signed(), -2_147_188_672);
        assert_eq!(MISSING_DEPENDENCIES.signed(), -2_147_188_707);
        assert_eq!(CONCURRENCY_VERSION_MISMATCH.to_string(), "0x80060882");
    }
}
