# SellerOps: one image for the web site (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 --shell /usr/sbin/nologin sellerops

WORKDIR /app
COPY . .
RUN pip install . \
    && if find . -path '*/LC_MESSAGES/*.po' | grep -q .; then python manage.py compilemessages -v 0; fi \
    && DEBUG=false SECRET_KEY=image-build-only ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/media \
    && chown -R sellerops:sellerops /app/media /app/staticfiles

USER sellerops
EXPOSE 8000
CMD ["gunicorn", "sellerops.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
