"""The Streamlit dashboard's UI: pages, sidebar filters, cached loaders and figures over esgdata."""
