// The demo dashboard's embedding of the widget: the token comes from the
// page's #token= fragment (make run prints the URL).
import '../widget/widget.js';

// A real dashboard would fetch a fresh token from its own backend here.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const support = document.getElementById('support');
if (!token) {
  document.getElementById('no-token').hidden = false;
  support.addEventListener('click', () => document.getElementById('no-token').scrollIntoView());
} else {
  const widget = ChatdWidget.mount({
    server: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    getToken: async () => token,
    title: 'demo-site support',
  });
  support.addEventListener('click', () => widget.open());
}
