# monitor as a daemon: `monitor run` as a non-root user, all state in the /data volume.
#
#   docker build -t monitor .
#   docker run -d --name monitor --env-file monitor.env -v monitor-data:/data monitor
#
# Optional config: put monitor.toml in the volume (/data/monitor.toml); with none, the built-in
# defaults apply (shipped feeds, the rules in /app/rules, console delivery). compose.yaml has a
# fuller example. Secrets (SLACK_BOT_TOKEN, SLACK_WEBHOOK_URL, MONITOR_LLM_API_KEY) come only
# from the environment at run time; none is baked into the image.

# Pinned by tag: bump it deliberately (and rebuild) for Python security releases.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    MONITOR_DB=/data/monitor.db

# The package alone is built from a scratch copy that is removed in the same layer, with its
# extras: PostgreSQL's driver (for a `postgresql://` MONITOR_DB) and the sentence model that
# same-story grouping uses to hear paraphrase (+139 MiB; `--build-arg EXTRAS=postgres` leaves
# it out, and the lexical method runs, as `monitor status` then says). pip is
# pinned because its resolver decides what gets installed: pip before 23.3 does not normalise
# extra names and silently skips jusText's `lxml[html_clean]`, so trafilatura fails to import.
COPY pyproject.toml README.md /tmp/monitor-src/
COPY monitor/ /tmp/monitor-src/monitor/
ARG EXTRAS=postgres,stories
RUN pip install --no-cache-dir pip==26.3 \
    && pip install --no-cache-dir "/tmp/monitor-src[${EXTRAS}]" \
    && rm -rf /tmp/monitor-src

# Config lookup ends at ./monitor.toml, so WORKDIR holds the rules (the default `rules`
# is relative to it) and a link to /data/monitor.toml. A dangling link counts as "no file",
# so the defaults apply until a config is put in the volume. MONITOR_CONFIG is not set: it
# must name an existing file, and the defaults must work without one.
WORKDIR /app
COPY rules/ rules/
COPY seeds/ seeds/
RUN groupadd --system --gid 10001 monitor \
    && useradd --system --uid 10001 --gid monitor --home-dir /app --shell /usr/sbin/nologin monitor \
    && mkdir /data \
    && chown monitor:monitor /data \
    && ln -s /data/monitor.toml /app/monitor.toml

# Numeric, so the host (and a bind-mounted /data, which must be writable by 10001) agree.
USER 10001:10001
VOLUME ["/data"]

# Python ignores SIGTERM as PID 1 (no handler), so `docker stop` would wait and then SIGKILL;
# SIGINT raises KeyboardInterrupt, which lets the daemon finish what it was writing.
STOPSIGNAL SIGINT

# `monitor status` exits non-zero when something needs a human (failing feeds, stuck digests).
HEALTHCHECK --interval=5m --timeout=30s --start-period=10m --retries=3 CMD ["monitor", "status"]

CMD ["monitor", "run"]
