//! Two-way interop with python-tuf 7 (the peers venv) over HTTP on 127.0.0.1.
