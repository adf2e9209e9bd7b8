// The API reference page (/docs/api): Swagger UI, embedded in the binary, over the description this
// server serves. The validator badge is off, so nothing is fetched from another host.
(function () {
  'use strict';
  function start() {
    var el = document.getElementById('api-reference');
    if (!el || typeof window.SwaggerUIBundle !== 'function') return;
    window.SwaggerUIBundle({
      url: el.getAttribute('data-url'),
      domNode: el,
      validatorUrl: null,
      deepLinking: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
