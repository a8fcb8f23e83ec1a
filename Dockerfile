# coopscore: the API served by uvicorn. Point COOPSCORE_DATABASE_URL at PostgreSQL in production.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COOPSCORE_DATABASE_URL=sqlite:////data/coopscore.db

RUN useradd --create-home --uid 10001 coopscore && mkdir /data && chown coopscore /data
WORKDIR /srv/coopscore

COPY pyproject.toml README.md alembic.ini ./
COPY alembic ./alembic
COPY app ./app
COPY scoring ./scoring
COPY seeds ./seeds
# Editable, so the migrations next to the package (alembic/, alembic.ini) are found at run time.
RUN pip install -e .

USER coopscore
EXPOSE 8000
CMD ["sh", "-c", "coopscore migrate && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --proxy-headers"]
