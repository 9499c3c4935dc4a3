"""Packaging for azure-communication-administration.

Three source folders become import packages in one distribution:

- ``azure/communication/administration`` (handwritten convenience layer);
- ``generated/`` (AutoRest output, written only by ``make generate``), mapped
  to ``azure.communication.administration._generated`` with ``package_dir`` so
  that the generated tree stays a top-level folder a reviewer can diff;
- ``emulator/acs_identity_emulator`` (the local Identity service).

``azure`` and ``azure.communication`` are PEP 420 namespace packages (no
``__init__.py``), the way current Azure SDK distributions share them.
"""

import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
GENERATED_ROOT = "azure.communication.administration._generated"
#: No Windows or PyPy wheels; the local service falls back to asyncio's loop there.
_UVLOOP = 'uvloop>=0.19; sys_platform != "win32" and platform_python_implementation == "CPython"'


def _version() -> str:
    """The version, written once: in ``azure/communication/administration/_version.py``."""
    text = (HERE / "azure" / "communication" / "administration" / "_version.py").read_text(encoding="utf-8")
    found = re.search(r'^VERSION = "([^"]+)"$', text, re.M)
    if found is None:
        raise RuntimeError("_version.py has no VERSION line")
    return found.group(1)


def _subpackages(folder: str, root: str) -> list[str]:
    """Dotted names of ``folder`` and every sub-folder that holds an ``__init__.py``."""
    base = HERE / folder
    names = []
    for init in sorted(base.rglob("__init__.py")):
        rel = init.parent.relative_to(base)
        names.append(".".join((root, *rel.parts)) if rel.parts else root)
    return names


setup(
    name="azure-communication-administration",
    version=_version(),
    description="Azure Communication Services Identity client library for Python, with a local Identity service",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    license_files=["LICENSE"],
    author="The azure-communication-administration contributors",
    keywords="azure, azure sdk, communication services, identity, access tokens, emulator",
    project_urls={
        "Documentation": "https://learn.microsoft.com/azure/communication-services/concepts/identity-model",
        "Service REST API": "https://learn.microsoft.com/rest/api/communication/identity",
        "Specifications": "https://github.com/Azure/azure-rest-api-specs/tree/main/specification/communication/data-plane/Identity",
    },
    python_requires=">=3.10",
    packages=[
        "azure.communication.administration",
        "azure.communication.administration.aio",
        *_subpackages("generated", GENERATED_ROOT),
        *_subpackages("emulator/acs_identity_emulator", "acs_identity_emulator"),
    ],
    package_dir={
        GENERATED_ROOT: "generated",
        "acs_identity_emulator": "emulator/acs_identity_emulator",
    },
    package_data={
        "azure.communication.administration": ["py.typed"],
        "acs_identity_emulator": ["py.typed"],
        **{name: ["py.typed"] for name in _subpackages("generated", GENERATED_ROOT)},
        GENERATED_ROOT: ["MANIFEST.json", "py.typed"],
    },
    install_requires=[
        # Imported by the handwritten layer and by the generated code (its
        # vendored serializer uses isodate; the clients use typing_extensions.Self).
        "azure-core>=1.30.0",
        "isodate>=0.6.1",
        "typing-extensions>=4.6.0",
        # The sync transport: urllib3's connections and pools (2.x API), and requests' proxy and
        # CA-bundle rules (azure-core depends on requests already; 2.30 is its first with urllib3 2).
        "urllib3>=2.0.2",
        "requests>=2.30.0",
    ],
    extras_require={
        "aio": ["aiohttp>=3.9"],
        # uvloop: the local service's faster event loop (it runs on asyncio's without it).
        "emulator": ["aiohttp>=3.9", "cryptography>=41", _UVLOOP],
    },
    entry_points={
        "console_scripts": [
            "acs-identity = azure.communication.administration._cli:main",
            "acs-identity-emulator = acs_identity_emulator._cli:main",
        ]
    },
    classifiers=[
        "Development Status :: 4 - Beta",
        "Intended Audience :: Developers",
        "Programming Language :: Python",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Operating System :: POSIX",
        "Topic :: Communications",
        "Typing :: Typed",
    ],
)
