"""Pages for plans and projects. Views read through selectors and write only through services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.audit import timeline
from backoffice.deadlines import todo_for
from backoffice.exceptions import DomainError
from backoffice.punctuation import mark
from backoffice.selectors import visible_or_404
from backoffice.transitions import TransitionView, page_actions
from backoffice.views import ScopedListView
from projects import actions, documents, exports, imports, selectors, services
from projects.filters import PlanFilter, ProjectFilter
from projects.forms import ImportForm, InspectionVisitForm, PlanForm, ProjectForm
from projects.models import RectificationStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_or_404(user, pk):
    return visible_or_404(selectors.plan_detail_visible_to, user=user, pk=pk)


def _project_or_404(user, pk):
    return visible_or_404(selectors.project_detail_visible_to, user=user, pk=pk)



def _add_form_errors(form, exc: DomainError):
    if exc.errors:
        for field, message in exc.errors:
            form.add_error(field if field in form.fields else None, str(message))
    else:
        form.add_error(None, exc.message)


class PlanListView(PermissionRequiredMixin, ScopedListView):
    permission_required = "projects.view_plans"
    template_name = "projects/plan_list.html"
    filterset_class = PlanFilter
    selector = selectors.plan_list_visible_to
    title = gettext_lazy("Annual plans")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = self.request.user.has_perm("projects.create_plan")
        return ctx


class ProjectListView(PermissionRequiredMixin, ScopedListView):
    permission_required = "projects.view_projects"
    template_name = "projects/project_list.html"
    filterset_class = ProjectFilter
    selector = selectors.project_page_visible_to


@login_required
def queue(request):
    if not request.user.has_perm("projects.view_queue"):
        raise PermissionDenied
    return render(request, "projects/queue.html", {
        "plans": selectors.plan_queue_for(user=request.user),
        "projects": selectors.project_queue_for(user=request.user),
        # R4: every deadline this person must meet, with its date; sortable.
        "deadlines": todo_for(user=request.user, sort=request.GET.get("sort", "due")),
        "sort": request.GET.get("sort", "due"),
    })


@login_required
def plan_create(request):
    if not request.user.has_perm("projects.create_plan"):
        raise PermissionDenied
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("The plan was created. Now add its projects."))
            return redirect("projects:plan_detail", pk=plan.pk)
    return render(request, "projects/plan_form.html", {"form": form, "province": request.user.province})


@login_required
def plan_edit(request, pk):
    plan = _plan_or_404(request.user, pk)
    if not request.user.has_perm("projects.edit_plan", plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=plan, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, title=form.cleaned_data["title"],
                                 central_subsidy=form.cleaned_data["central_subsidy"])
        except DomainError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("projects:plan_detail", pk=plan.pk)
    return render(request, "projects/plan_form.html", {"form": form, "plan": plan, "province": plan.province})


@login_required
def plan_detail(request, pk):
    plan = _plan_or_404(request.user, pk)
    projects = list(selectors.plan_projects_visible_to(user=request.user, plan=plan))
    return render(request, "projects/plan_detail.html", {
        "plan": plan, "projects": projects, "summary": selectors.plan_summary(plan=plan),
        "actions": page_actions(plan, request.user, actions.PLAN_DOORS),
        "action_url": reverse("projects:plan_transition", args=[plan.pk]),
        "events": timeline(plan),
        "can_add": request.user.has_perm("projects.extend_plan", plan),
        "can_edit": request.user.has_perm("projects.revise_plan", plan),
    })


class PlanTransitionView(TransitionView):
    doors = actions.PLAN_DOORS
    detail_url_name = "projects:plan_detail"

    selector = selectors.plan_detail_visible_to


@login_required
def plan_pdf(request, pk):
    plan = _plan_or_404(request.user, pk)
    content = documents.plan_pdf(plan=plan, projects=selectors.plan_projects_for_output(user=request.user, plan=plan))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{plan.province.code}-{plan.year}.pdf"'
    return response


@login_required
def plan_xlsx(request, pk):
    plan = _plan_or_404(request.user, pk)
    content = exports.plan_workbook(plan=plan, projects=selectors.plan_projects_for_output(user=request.user, plan=plan))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.province.code}-{plan.year}.xlsx"'
    return response


@login_required
def import_template(request):
    response = HttpResponse(exports.import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="project-import-template.xlsx"'
    return response


@login_required
def plan_import(request, pk):
    plan = _plan_or_404(request.user, pk)
    if not request.user.has_perm("projects.add_project", plan):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.plan_import_projects(actor=request.user, plan=plan, content=form.cleaned_data["file"].read())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if result.errors:
                report = result.errors
            else:
                messages.success(request, _("%(count)s projects were imported.") % {"count": len(result.created)})
                return redirect("projects:plan_detail", pk=plan.pk)
    return render(request, "projects/plan_import.html", {"plan": plan, "form": form, "report": report})


@login_required
def project_create(request, plan_pk):
    plan = _plan_or_404(request.user, plan_pk)
    if not request.user.has_perm("projects.add_project", plan):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, plan=plan, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_create(actor=request.user, plan=plan, data=form.project_data(),
                                    owner=form.cleaned_data.get("owner"),
                                    regions=list(form.cleaned_data["regions"]))
        except DomainError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("The project was added to the plan."))
            return redirect("projects:plan_detail", pk=plan.pk)
    return render(request, "projects/project_form.html", {"form": form, "plan": plan})


@login_required
def project_edit(request, pk):
    project = _project_or_404(request.user, pk)
    if not request.user.has_perm("projects.edit_project", project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=project, plan=project.plan, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, data=form.project_data(),
                                    regions=list(form.cleaned_data["regions"]))
        except DomainError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "plan": project.plan, "project": project})


@login_required
def project_detail(request, pk):
    project = _project_or_404(request.user, pk)
    can_inspect = request.user.has_perm("projects.inspect_project", project)
    can_record = request.user.has_perm("projects.record_inspection_project", project)
    return render(request, "projects/project_detail.html", {
        "project": project, "plan": project.plan,
        "plan_visible": selectors.plan_is_visible_to(user=request.user, plan=project.plan),
        "actions": page_actions(project, request.user, actions.PROJECT_DOORS),
        "action_url": reverse("projects:project_transition", args=[project.pk]),
        "events": timeline(project),
        "can_edit": request.user.has_perm("projects.revise_project", project),
        "inspections": selectors.project_inspections(project=project),
        "inspection_form": InspectionVisitForm() if can_record else None,
        "can_inspect": can_inspect, "rectification_choices": RectificationStatus.choices,
    })


class ProjectTransitionView(TransitionView):
    doors = actions.PROJECT_DOORS
    detail_url_name = "projects:project_detail"

    selector = selectors.project_detail_visible_to


@login_required
@require_POST
def inspection_create(request, pk):
    project = _project_or_404(request.user, pk)
    if not request.user.has_perm("projects.inspect_project", project):
        raise PermissionDenied
    form = InspectionVisitForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_visit_record(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The inspection visit was recorded."))
            return redirect("projects:project_detail", pk=project.pk)
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}{mark(':')}{e}" if label else e)
    return redirect("projects:project_detail", pk=project.pk)


@login_required
@require_POST
def inspection_status(request, pk, visit_pk):
    project = _project_or_404(request.user, pk)
    visit = project.inspections.filter(pk=visit_pk).first()
    if visit is None:
        raise Http404
    status = request.POST.get("status", "")
    if status not in RectificationStatus.values:
        raise Http404
    try:
        services.inspection_visit_set_status(actor=request.user, visit=visit, status=status)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:project_detail", pk=project.pk)
