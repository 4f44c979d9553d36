"""The web app: server-rendered pages with htmx. Views only translate: request ->
service call -> template. Rules live in the domain core and the services."""
