"""newsmon's plain-Python core: fetching, parsing, extraction, NLP and storage.

Nothing in this package imports Prefect or Streamlit; `flows/` wires these functions into Prefect.
"""
