"""The Streamlit dashboard: `newsmon dashboard` serves app.py; it reads the SQL views only."""
