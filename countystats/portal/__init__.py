"""The clerks' portal (`countystats portal`): units send their reports on a web page and see at once what is wrong.

Layers: :mod:`.codes` (access codes, hashed), :mod:`.store` (the portal's own records), :mod:`.delivery` (into the
inbox, whole or not at all), :mod:`.checker` (the warm check), :mod:`.published` (what the nightly run published),
:mod:`.service` (what the portal does), :mod:`.app` and :mod:`.pages` (HTTP and the Chinese pages), :mod:`.server`
(started by `countystats portal`).
"""
