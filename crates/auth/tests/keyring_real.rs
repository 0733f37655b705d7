//! Against the real Secret Service (GNOME Keyring in a private D-Bus session, as
//! the test command starts it). Runs only with `KEYRING_REAL=1`.

use ferry_auth::{KeyringStore, Secret, StoredTokens, TokenStore};

#[test]
fn tokens_round_trip_through_the_system_keyring() {
    if std::env::var_os("KEYRING_REAL").is_none_or(|v| v != "1") {
        eprintln!(
            "skipping: set KEYRING_REAL=1 inside a Secret Service session (the test command does)"
        );
        return;
    }
    // A service name of our own: the user's entries are never read or written.
    let service = format!("ferry-test-{}", uuid::Uuid::new_v4());
    let store = KeyringStore::new(&service);
    let tokens = StoredTokens {
        account: "mona@contoso.example".into(),
        refresh_token: Secret::new("refresh-token-value"),
        access_token: None,
        expires_at: None,
    };
    assert_eq!(store.load("Contoso").unwrap(), None);
    store.save("Contoso", &tokens).unwrap();
    assert_eq!(store.load("Contoso").unwrap(), Some(tokens.clone()));
    // A second store object sees the same entry: it really is in the keyring.
    let again = KeyringStore::new(format!("{:?}", ()));
    assert_eq!(
        again.load("Contoso").unwrap(),
        None,
        "other services stay separate"
    );
    store.clear("Contoso").unwrap();
    assert_eq!(store.load("Contoso").unwrap(), None);
}
