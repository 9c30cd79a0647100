"""Packaging for ctct: the legacy Constant Contact client, running on V3."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "ctct" / "_version.py").read_text()).group(1)

setup(
    name="ctct",
    version=VERSION,
    description="The 2009 Constant Contact CTCTConnection API, translated to the V3 API",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["ctct", "ctct.*"]) + ["ctctwspylib"],
    package_dir={"ctctwspylib": "compat/ctctwspylib"},
    package_data={"ctct.emulator": ["*.json"]},
    install_requires=[
        "requests>=2.28",
        "lxml>=4.9",
        "tqdm>=4.64",
        "platformdirs>=3.0",
    ],
    extras_require={
        "test": [
            "pytest>=7",
            "hypothesis>=6",
            "schemathesis>=4",
            "jsonschema>=4",
            "constant-contact-api-client==1.5.0",
            "feedparser>=6.0",
        ],
        # the benchmarks compare against the official SDK and against feedparser's recovery
        "bench": [
            "constant-contact-api-client==1.5.0",
            "feedparser>=6.0",
        ],
    },
    entry_points={
        "console_scripts": ["ctct = ctct.cli:main"],
        "pytest11": ["ctct_emulator = ctct.emulator.pytest_plugin"],
    },
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
    ],
)
