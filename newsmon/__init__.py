"""newsmon: a news-monitoring pipeline (console script, demo and the bundled sample site)."""
