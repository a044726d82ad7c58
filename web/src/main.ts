// Placeholder page; the real client lands with the browser-play issue.
const app = document.getElementById('app');
if (app) app.querySelector('p')!.textContent = 'Trine gateway is up.';
