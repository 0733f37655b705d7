//! The audit table's option sets, `action` and `operation`: their codes and labels. A leaf,
//! so the schema can label the columns without depending on the trail that writes them.

/// The audit `action` option set (the values the host writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create = 1,
    Update = 2,
    Delete = 3,
    Share = 14,
    Reject = 27,
    Approve = 28,
    Associate = 33,
    Disassociate = 34,
    Unshare = 49,
}

impl Action {
    pub fn label(code: i64) -> Option<&'static str> {
        Some(match code {
            1 => "Create",
            2 => "Update",
            3 => "Delete",
            14 => "Share",
            27 => "Reject",
            28 => "Approve",
            33 => "Associate Entities",
            34 => "Disassociate Entities",
            49 => "Unshare",
            _ => return None,
        })
    }

    /// The audit `operation` (1 Create, 2 Update, 3 Delete).
    pub(super) fn operation(self) -> i64 {
        match self {
            Action::Create => 1,
            Action::Delete => 3,
            _ => 2,
        }
    }
}

/// Labels of the audit `operation` option set.
pub fn operation_label(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "Create",
        2 => "Update",
        3 => "Delete",
        4 => "Access",
        _ => return None,
    })
}
