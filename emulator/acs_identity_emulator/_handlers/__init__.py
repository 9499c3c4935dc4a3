"""What each operation does: one module per resource, one function per operation.

- ``identities``: identities and their tokens (create, delete, issue, revoke; the 2020
  preview's token and ``PATCH``);
- ``teams_user``: the Teams user token exchange;
- ``teams_phone``: Teams Phone access assignments and the Teams Phone token exchange;
- ``roles``: the Roles API of 2023-08-30-preview (list, create, read, merge patch, delete);
- ``entra``: Entra access assignments and the Entra ID user token exchange (2025-03-02-preview);
- ``extras``: this service's own routes, ``/.well-known/jwks.json`` and ``/emulator/introspect``;
- ``faults``: this service's fault rules, ``/emulator/faults``.

A handler is ``async def name(service: Emulator, call: Call) -> Result`` decorated with
``@handles("METHOD /path/template")`` (the operation as the documents have it), and that is
all a new operation needs: ``_dispatch`` builds its route and versions from the catalog, and
until it has a handler it answers 501 ``NotImplemented``. A handler reads its body through
``_bodies``, raises errors from ``_errors``, and returns ``(status, JSON body or None)``.
Importing this package registers every handler; a new resource module is imported below.
"""

from . import entra, extras, faults, identities, roles, teams_phone, teams_user

__all__ = ["entra", "extras", "faults", "identities", "roles", "teams_phone", "teams_user"]
