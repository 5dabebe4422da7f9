"""The retention dashboard: a Dash app over the published marts (read-only), one page per
question of the retention playbooks. `retention-warehouse dashboard` starts it."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
