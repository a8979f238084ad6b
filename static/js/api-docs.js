// The API docs page: Swagger UI over the live schema, from django-ninja's bundled copy.
// Configured here rather than in an inline script: the Content-Security-Policy forbids those.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: false, // its links sit inside the operations' buttons: nested controls
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    persistAuthorization: false,
  });
});
