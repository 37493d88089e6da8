"""The account page: prove a phone by a code sent by SMS (cases reported with it become yours)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import PhoneConfirmForm, PhoneSendForm
from .models import PhoneCode
from .phones import verified_phone
from .selectors import signed_in
from .services import PhoneCodeRefused, phone_code_confirm, phone_code_send


@login_required
def account_phone(request: HttpRequest) -> HttpResponse:
    user = signed_in(request.user)
    pending = PhoneCode.objects.filter(user=user, confirmed_at__isnull=True).first()
    send_form = PhoneSendForm(initial={"phone": pending.phone if pending else user.phone})
    confirm_form = PhoneConfirmForm()
    status = 200
    if request.method == "POST" and "code" in request.POST:
        confirm_form = PhoneConfirmForm(request.POST)
        if confirm_form.is_valid():
            try:
                phone_code_confirm(user=user, code=confirm_form.cleaned_data["code"])
            except PhoneCodeRefused as refusal:
                confirm_form.add_error("code", str(refusal))
            else:
                messages.success(request, _("Your phone is verified."))
                return redirect("account_phone")
        status = 400
    elif request.method == "POST":
        send_form = PhoneSendForm(request.POST)
        if send_form.is_valid():
            try:
                phone_code_send(user=user, phone=send_form.cleaned_data["phone"])
            except PhoneCodeRefused as refusal:
                send_form.add_error("phone", str(refusal))
            else:
                messages.success(request, _("A code is on its way by text message."))
                return redirect("account_phone")
        status = 400
    context = {
        "verified": verified_phone(user),
        "pending": pending,
        "send_form": send_form,
        "confirm_form": confirm_form,
    }
    return render(request, "grids/account_phone.html", context, status=status)
