"""URLs. Households and animals are addressed by unguessable public ids."""

from django.contrib.auth import views as auth
from django.contrib.auth.decorators import login_required
from django.urls import path

from .api.main import api
from .api.main import not_found as api_not_found
from .web.views import accounts, animals, app, arrivals, guide, households, log, reports, sessions, today, tokens
from .web.views import data as data_views

H = "h/<str:hid>/"

urlpatterns = [
    path("", households.home, name="home"),
    # The installed app opens here (its manifest's start_url): the keeper's Today, after logging in.
    path("today", login_required(households.home), name="today_start"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service_worker"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/tokens/", tokens.api_tokens, name="api_tokens"),
    path("api/v1/", api.urls),
    path("api/<path:rest>", api_not_found),
    path("households/", households.households, name="households"),
    path("join/<str:token>/", households.join, name="join"),
    path(H, today.today, name="today"),
    path(H + "overview/", today.overview, name="overview"),
    path(H + "people/", households.members, name="members"),
    path(H + "more/", households.more, name="more"),
    path(H + "people/invite/", households.invite_create, name="invite_create"),
    path(H + "people/invite/<str:token>/revoke/", households.invite_revoke, name="invite_revoke"),
    path(H + "animals/new/", animals.animal_new, name="animal_new"),
    path(H + "animals/<str:aid>/", animals.animal_detail, name="animal"),
    path(H + "animals/<str:aid>/edit/", animals.animal_edit, name="animal_edit"),
    path(H + "animals/<str:aid>/photo/", animals.animal_photo, name="animal_photo"),
    path(H + "animals/<str:aid>/photo/upload/", animals.animal_photo_upload, name="animal_photo_upload"),
    path(H + "animals/<str:aid>/charts/<str:name>.svg", animals.animal_chart, name="animal_chart"),
    path(H + "animals/<str:aid>/report/", reports.report_page, name="animal_report"),
    path(H + "animals/<str:aid>/report.pdf", reports.report_pdf_download, name="animal_report_pdf"),
    path(H + "sessions/start/", sessions.session_start, name="session_start"),
    path(H + "quick-log/", today.quick_log, name="quick_log"),
    path(H + "quick-log/undo/", today.quick_log_undo, name="quick_log_undo"),
    path(H + "attention/dismiss/", today.attention_dismiss, name="attention_dismiss"),
    path(H + "sessions/log/", log.session_log, name="session_log"),
    path(H + "sessions/open/<str:sid>/", sessions.session_open, name="session_open"),
    path(H + "sessions/open/<str:sid>/check/", sessions.session_check, name="session_check"),
    path(H + "sessions/open/<str:sid>/discard/", sessions.session_discard, name="session_discard"),
    path(H + "sessions/<str:sid>/edit/", sessions.session_edit, name="session_edit"),
    path(H + "sessions/<str:sid>/delete/", sessions.session_delete, name="session_delete"),
    path(H + "cages/", arrivals.cages, name="cages"),
    path(H + "animals/<str:aid>/health-check/", arrivals.health_check, name="health_check"),
    path(H + "introductions/", arrivals.introductions, name="introductions"),
    path(H + "introductions/<str:iid>/", arrivals.introduction, name="introduction"),
    path(H + "introductions/<str:iid>/cleaned/", arrivals.introduction_cleaned, name="introduction_cleaned"),
    path(H + "data/", data_views.data, name="data"),
    path(H + "data/calendar/new/", data_views.calendar_new, name="calendar_new"),
    path(H + "data/calendar/off/", data_views.calendar_off, name="calendar_off"),
    path(H + "data/<str:kind>.csv", data_views.csv_download, name="csv_download"),
    path(H + "data/backup.json", data_views.backup_download, name="backup_download"),
    path(H + "data/restore/", data_views.backup_restore, name="backup_restore"),
    path("calendar/<str:token>.ics", data_views.calendar_feed, name="calendar_feed"),
    path("guide/", guide.guide_index, name="guide_index"),
    path("guide/<str:species>/", guide.guide, name="guide"),
    path("guide/<str:species>/<str:step_id>/", guide.guide_step, name="guide_step"),
]
