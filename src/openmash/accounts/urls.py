from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("choose-role", views.choose_role, name="choose-role"),
    path("second-factor/set-up", views.otp_setup, name="otp-setup"),
    path("second-factor", views.otp_verify, name="otp-verify"),
    path("home", views.home, name="home"),
]
