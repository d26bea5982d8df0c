// The views and their styles, as one chunk the shell (widget.js) loads
// when the customer first shows interest in the chat: a page view where
// nobody opens it downloads only the launcher, the connection and the
// shell's styles.
export { homeView as home } from './home.js';
export { formView as form } from './form.js';
export { conversationView as conv } from './conversation.js';

import VIEWS_CSS from './views.css';

let sheet = null; // one constructed stylesheet, shared by every mount

// The views' styles (views.css), adopted after the shell's.
export function viewsSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(VIEWS_CSS);
  }
  return sheet;
}
