// The API reference page (/api/v1/docs): Swagger UI, installed from npm, over the app's own
// OpenAPI document. "Try it out" uses the signed-in session, so each request carries the page's
// CSRF token as the API asks of cookie-authenticated writes. No inline script (CSP).
(() => {
  const el = document.getElementById("swagger-ui");
  if (!el || !window.SwaggerUIBundle) return;
  const csrf = document.querySelector("meta[name=csrf-token]");
  window.SwaggerUIBundle({
    url: el.dataset.url,
    domNode: el,
    deepLinking: true,
    docExpansion: "none",
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    requestInterceptor: (request) => {
      if (csrf) request.headers["X-CSRFToken"] = csrf.content;
      return request;
    },
  });
})();
