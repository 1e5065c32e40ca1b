"""The one door through which a page fires a declared transition.

Each app keeps a table of `Door`s (what a button does, how it confirms, what it says after); the transition's
label and whether it needs a reason stay declared on the model's `@transition(custom=...)`. `TransitionView`
looks the object up through the app's scoped selector, runs the door's service (by default
`backoffice.workflow.fire`, which checks role, scope and guards and writes the audit event in one
transaction) and shows a Chinese message for success or refusal.
"""
from dataclasses import dataclass, field
from typing import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from backoffice.exceptions import DomainError
from backoffice.workflow import actions_for, fire


@dataclass(frozen=True)
class Door:
    """One action on a page. `service(obj, *, actor, reason, data)` runs it; None fires the transition of the
    same name. `fields` are the extra POST fields the service reads from `data` (shown by the page's own form)."""

    service: Callable | None = None
    success: str = _("Done.")
    confirm: str = ""
    fields: tuple = field(default_factory=tuple)

    def run(self, obj, *, name: str, actor, reason: str, data):
        if self.service is None:
            return fire(type(obj), obj.pk, name=name, actor=actor, reason=reason)
        return self.service(obj, actor=actor, reason=reason, data=data)


def page_actions(obj, user, doors: dict[str, Door]) -> list:
    """The page's action buttons: the declared transitions this table opens, each with its confirm text."""
    found = actions_for(obj, user, names=list(doors))
    for action in found:
        action.confirm = str(doors[action.name].confirm or "")
    return found


class TransitionView(LoginRequiredMixin, View):
    """POST {transition, reason, …} → run the door → back to the object's page (or a same-site `next`)."""

    http_method_names = ["post"]
    doors: dict[str, Door] = {}
    detail_url_name = ""  # where to go back to, reversed with the object's pk
    selector = None  # the app's scoped read: selector(user=, pk=) or selector(user=) -> visible queryset

    def get_object(self):
        """The object through the app's scoped selector; Http404 when the user may not see it."""
        from backoffice.selectors import visible_or_404

        return visible_or_404(type(self).selector, user=self.request.user, pk=self.kwargs["pk"])

    def get_success_url(self, obj) -> str:
        return reverse(self.detail_url_name, args=[obj.pk])

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        name = request.POST.get("transition", "")
        door = self.doors.get(name)
        if door is None:
            raise Http404
        try:
            door.run(obj, name=name, actor=request.user, reason=request.POST.get("reason", ""), data=request.POST)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, str(door.success))
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
            return redirect(target)
        return redirect(self.get_success_url(obj))
