"""The WSGI entry for servers run by hand: ``gunicorn 'crm_core.wsgi:app'``.

``crm serve`` is the supported way (it reads the ``CRM_SERVE_*`` settings); this module is for
platforms that start a WSGI server themselves. Settings come from the environment and
``instance/crm.toml`` as for every other command.
"""

from crm_core.app import create_app

app = create_app()
