"""Starting the portal: its store, its warm checker and the web application, served by uvicorn."""

from __future__ import annotations

import logging

log = logging.getLogger("countystats.portal")


def build(settings, warm: bool = True):
    """The web application for ``settings``: its store, its warm checker (started with the server)."""
    from countystats.portal import delivery  # noqa: I001
    from countystats.portal.app import create_app
    from countystats.portal.checker import Checker
    from countystats.portal.service import Portal
    from countystats.portal.store import Store

    store = Store(settings.portal_store_url)
    checker = Checker(settings, readers=settings.portal_readers)
    portal = Portal(settings, store, checker)

    def start() -> None:
        settings.inbox.mkdir(parents=True, exist_ok=True)
        swept = delivery.sweep(settings.inbox)
        if swept:
            log.warning("countystats portal: 清理了上次中断的上传 %d 个", swept)
        if warm:
            checker.warm()
        log.info("countystats portal: 已就绪（收件箱 %s）", settings.inbox)

    def stop() -> None:
        checker.close()
        store.close()

    return create_app(portal, on_start=start, on_stop=stop)


def serve(settings, host: str = "127.0.0.1", port: int = 8321, root_path: str = "",
          forwarded_allow_ips: str | None = None) -> None:
    import uvicorn

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("countystats").setLevel(logging.INFO)
    uvicorn.run(build(settings), host=host, port=port, root_path=root_path, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, log_level="info", timeout_graceful_shutdown=10)
