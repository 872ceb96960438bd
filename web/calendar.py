"""Placeholder created by the web foundation so ``create_app`` runs; the API engineer owns it."""

from flask import Blueprint

calendar = Blueprint("calendar", __name__)
