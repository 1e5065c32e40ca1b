"""Pages to issue, list and revoke API keys (R5). The full key is shown once, on the page that issued it."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.exceptions import DomainError
from backoffice.forms import Form

from . import keys
from .scopes import scope_choices


class ApiKeyForm(Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100,
                            help_text=gettext_lazy("Which system uses it, e.g. the institution's training platform."))
    organisation = forms.ModelChoiceField(label=gettext_lazy("Acts as organisation"), queryset=None)
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), choices=scope_choices,
                                       widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=keys.MAX_DAYS,
                              initial=180)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = keys.issuable_organisations(user).select_related("region")
        self.fields["organisation"].initial = user.organisation_id


@login_required
def api_key_list(request):
    if not request.user.has_perm("backoffice.issue_api_key"):
        raise PermissionDenied
    token, issued = None, None
    form = ApiKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issued, token = keys.api_key_issue(actor=request.user, organisation=form.cleaned_data["organisation"],
                                               label=form.cleaned_data["label"],
                                               scopes=form.cleaned_data["scopes"], days=form.cleaned_data["days"])
            form = ApiKeyForm(user=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
    response = render(request, "backoffice/api_keys.html", {
        "form": form, "keys": keys.api_key_list_visible_to(user=request.user)[:200], "token": token,
        "issued": issued, "title": _("API keys")})
    if token:
        response["Cache-Control"] = "no-store"  # the key is on this page only, once
    return response


@require_POST
@login_required
def api_key_revoke(request, pk):
    key = keys.api_key_list_visible_to(user=request.user).filter(pk=pk).first()
    if key is None:
        raise Http404
    try:
        keys.api_key_revoke(actor=request.user, key=key)
        messages.success(request, _("The key “%(label)s” is revoked; calls with it are refused from now on.") % {
            "label": key.label})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("api_keys")
