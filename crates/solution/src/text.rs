//! Bytes → text: strip a UTF-8 byte-order mark, transcode UTF-16 (with a BOM, or
//! recognisable by its `<` followed by a NUL), refuse anything else that is not UTF-8.

/// Decodes file contents as the platform writes them. The error is a short reason.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map_err(|e| format!("invalid UTF-8: {e}"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    match bytes.as_slice() {
        [b'<', 0, ..] => return utf16(&bytes, u16::from_le_bytes),
        [0, b'<', ..] => return utf16(&bytes, u16::from_be_bytes),
        _ => {}
    }
    String::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("UTF-16 text with an odd number of bytes".into());
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| format!("invalid UTF-16: {e}"))
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn variants_decode_to_the_same_text() {
        let text = "<a>é</a>";
        let mut bom8 = b"\xEF\xBB\xBF".to_vec();
        bom8.extend_from_slice(text.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        let mut le_nobom = Vec::new();
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
            le_nobom.extend_from_slice(&u.to_le_bytes());
        }
        for bytes in [text.as_bytes().to_vec(), bom8, le, be, le_nobom] {
            assert_eq!(decode(bytes).unwrap(), text);
        }
    }

    #[test]
    fn garbage_is_refused() {
        assert!(decode(vec![0xC3, 0x28]).is_err());
        assert!(decode(vec![0xFF, 0xFE, 0x00]).is_err());
        assert!(decode(vec![0xFF, 0xFE, 0x00, 0xD8]).is_err());
    }
}
