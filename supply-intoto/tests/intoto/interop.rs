//! Two-way interop with in-toto python (PyPI in-toto 3.1.0).
