"""The spawner: each learner's JupyterLab joins a private engine started (and removed) with it.

A :class:`dockerspawner.DockerSpawner` whose container is not privileged, mounts only the
learner's home volume, and shares the network namespace of the learner's engine container
(:func:`stagelab.engine.workshop.start_learner_engine`): ``DOCKER_HOST=tcp://127.0.0.1:2375`` is
that engine, and the hub reaches JupyterLab at the engine container's address on the hub network.
"""

from __future__ import annotations

import asyncio

from dockerspawner import DockerSpawner

from ..engine import workshop
from . import settings as hub_settings


class StagelabSpawner(DockerSpawner):
    """JupyterLab + a per-learner engine; both stop together (culling included)."""

    _engine: workshop.LearnerEngine | None = None

    @property
    def _hub(self) -> workshop.Hub:
        return hub_settings.from_env().hub

    async def start(self):
        hub, learner = self._hub, self.user.name
        await asyncio.to_thread(workshop.ensure_volume, hub.home_volume(learner), hub.labels("home", learner))
        self._engine = await asyncio.to_thread(workshop.start_learner_engine, hub, learner)
        return await super().start()

    async def create_object(self):
        # Not DockerSpawner's: a container in another's network namespace may not expose
        # ports or set a hostname, and ours carries the hub's labels.
        hub, learner = self._hub, self.user.name
        host_config = self.client.create_host_config(
            auto_remove=self.remove,
            binds=self.volume_binds,
            mem_limit=self.mem_limit,
            network_mode=f"container:{hub.engine_name(learner)}",
            privileged=False,
        )
        return await self.docker(
            "create_container",
            image=self.image,
            name=self.container_name,
            environment=self.get_env(),
            volumes=self.volume_mount_points,
            command=await self.get_command(),
            labels=hub.labels("lab", learner),
            host_config=host_config,
        )

    async def get_ip_and_port(self):
        engine = self._engine
        if engine is None:  # the hub restarted while the server ran
            found = await asyncio.to_thread(workshop.learner_engines, self._hub)
            engine = next(e for e in found if e.learner == self.user.name)
        return engine.ip, self.port

    async def stop(self, now=False):
        try:
            await super().stop(now=now)
        finally:
            await asyncio.to_thread(workshop.stop_learner_engine, self._hub, self.user.name)
            self._engine = None
