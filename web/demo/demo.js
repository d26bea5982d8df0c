// The demo dashboard's embedding of the widget, as web/README.md shows it:
// index.html loads widget/widget.js (the loader) first, so ChatdWidget is
// there. The token comes from the page's #token= fragment (make run prints
// the URL).

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
