# JupyterHub configuration for a workshop on one host: `make hub` (stagelab hub start) runs
# `jupyterhub -f hub/jupyterhub_config.py` with the settings of stagelab.hub.settings in its
# environment. Each learner: their own JupyterLab (not privileged) + their own Docker engine.
# For Kubernetes, see hub/config.yaml (Zero to JupyterHub) instead.
import sys

from stagelab.engine import workshop
from stagelab.hub import settings as hub_settings
from stagelab.hub.auth import WorkshopAuthenticator
from stagelab.hub.spawner import StagelabSpawner

c = get_config()  # noqa: F821 (provided by JupyterHub)
s = hub_settings.from_env()
hub = s.hub
state = s.state_dir
gateway = workshop.ensure_network(hub)

c.JupyterHub.ip = s.ip
c.JupyterHub.port = s.port
# The hub's API listens on the hub network's gateway: learners' servers reach it there.
c.JupyterHub.hub_ip = gateway
c.JupyterHub.hub_port = s.api_port
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(s.pid_file)
c.ConfigurableHTTPProxy.command = [
    str(s.proxy_dir / "node"),
    str(s.proxy_dir / "node_modules/configurable-http-proxy/bin/configurable-http-proxy"),
]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.port + 1}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.ConfigurableHTTPProxy.debug = False

# Who may sign in: one token per learner (stagelab hub learners add NAME ...).
# GitHub instead: pip install oauthenticator, then
#   c.JupyterHub.authenticator_class = "github"
#   c.GitHubOAuthenticator.oauth_callback_url = "https://HOST/hub/oauth_callback"
#   c.GitHubOAuthenticator.client_id / client_secret  (from a GitHub OAuth app)
#   c.GitHubOAuthenticator.allowed_organizations = {"your-org:workshop-team"}
c.JupyterHub.authenticator_class = WorkshopAuthenticator
c.WorkshopAuthenticator.learners_file = str(s.learners_file)

c.JupyterHub.spawner_class = StagelabSpawner
c.DockerSpawner.image = hub.lab_image
c.DockerSpawner.pull_policy = "skip"  # built locally; there is no registry
c.DockerSpawner.remove = True
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.network_name = hub.network
c.DockerSpawner.name_template = hub.prefix + "-lab-{username}"
c.DockerSpawner.volumes = {hub.prefix + "-home-{username}": "/home/learner"}
c.DockerSpawner.notebook_dir = "/home/learner/course"
c.DockerSpawner.mem_limit = workshop.memory_bytes(s.lab_memory)
c.DockerSpawner.start_timeout = 180
c.DockerSpawner.http_timeout = 120
c.Spawner.default_url = "/lab"

instructor_token = s.instructor_token_file.read_text().strip()
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={s.idle_timeout_s}"],
    },
    {"name": "stagelab-instructor", "api_token": instructor_token},
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
    {
        "name": "stagelab-instructor",
        "services": ["stagelab-instructor"],
        "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "tokens"],
    },
]
