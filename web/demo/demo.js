// The demo dashboard's embedding of the widget, as web/README.md shows it:
// index.html loads widget/widget.js (the loader) first, so ChatdWidget is
// there. The token comes from the page's #token= fragment (make run prints
// the URL); #lang=fr (or de, ar, a list: fr-CA,en) picks the widget's
// language instead of the browser's, and #brand=%23ffeb3b its colour
// instead of the site's.

// A real dashboard would fetch a fresh token from its own backend here.
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
const support = document.getElementById('support');
if (!token) {
  document.getElementById('no-token').hidden = false;
  support.addEventListener('click', () => document.getElementById('no-token').scrollIntoView());
} else {
  const widget = ChatdWidget.mount({
    server: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    getToken: async () => token,
    title: 'demo-site support',
    language: params.get('lang')?.split(',') || undefined,
    brandColor: params.get('brand') || '#b4541a',
    // what the customer is looking at: the Live environment of demo-site
    prefill: { environment: 'live', site: 'demo-site' },
  });
  support.addEventListener('click', () => widget.open());
}
