// The views, as one chunk the shell (widget.js) loads when the customer
// first shows interest in the chat: a page view where nobody opens it
// downloads only the launcher, the connection and the styles.
export { homeView as home } from './home.js';
export { formView as form } from './form.js';
export { conversationView as conv } from './conversation.js';
