"""Public enrolment pages, no login: checking a certificate (R44) and the 公示 list of selected trainees (R32)."""
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors


def certificate_verify(request):
    """R44: public, no login; name, project, hours and validity - never the full ID number."""
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    cert = selectors.certificate_verify(number=number, code=code) if number or code else None
    return render(request, "enrolment/verify.html", {
        "cert": cert, "searched": bool(number or code), "number": number, "code": code,
        "title": _("Verify a certificate")})


# -- the public 公示 list (R32), no login -------------------------------------------------------------------
def publicity_list(request):
    return render(request, "enrolment/publicity_list.html", {
        "projects": selectors.publicity_projects(), "title": _("Public notice of selected trainees")})


def publicity_detail(request, pk):
    from projects.models import Project

    try:
        project = selectors.publicity_project_get(pk=pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    office = project.office.name if project.office else project.plan.province.name
    objection = _("Anyone who objects to a name on this list may write to %(office)s before the window ends on "
                  "%(end)s, giving the trainee's name and the reason, with their own name and a contact. "
                  "Objections are checked and answered before the trainees are enrolled.") % {
        "office": office, "end": project.publicised_until.isoformat() if project.publicised_until else "—"}
    return render(request, "enrolment/publicity_detail.html", {
        "project": project, "rows": selectors.publicity_list(project=project), "objection": objection,
        "title": _("Public notice of selected trainees")})
