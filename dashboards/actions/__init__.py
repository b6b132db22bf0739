"""What operators do from the screens, as plain functions ``fn(lake, actor, ...)``: each checks the actor's
role on the server (``dashboards.access.require``) before it writes through the Lake API. Also used by the
CLI (``hue-ioc cameras review``)."""
