use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The window's first screen as the UI last drew it, kept so the next start can paint
/// it before the UI's script has loaded (`ui/src/shell/firstScreen.ts`). It holds the
/// frame only: the history's rows are left out and drawn from the cache each start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FirstScreen {
    /// The UI build that drew it; another build's screen is not painted.
    pub build: String,
    /// The page the window opened on (`deploy` or `history`).
    pub page: String,
    /// `light` or `dark`.
    pub scheme: String,
    /// The profile in use then (`null`: none); a start with another one paints nothing early.
    pub profile: Option<String>,
    /// The markup inside the page's root element.
    pub html: String,
    /// The style rules the UI had inserted (Fluent's), as CSS text.
    pub css: String,
}
