"""Casework pages. Thin: parse, call a service or selector, render. Every child page starts at
the access choke point."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openmash.access.selectors import ChildAccess, child_get_for_user, may_see_who_viewed
from openmash.accounts.actor import Actor, actor_from_request
from openmash.accounts.models import Agency
from openmash.accounts.roles import Role
from openmash.casework import forms as cw_forms
from openmash.casework import selectors, services
from openmash.casework.models import MeetingKind, PathwayDimension, PlanKind
from openmash.exploitation.language.forms import child_age
from openmash.exploitation.services import language_flags_record
from openmash.people.extensions import visible_tabs


def _access(request: HttpRequest, child_id: uuid.UUID, purpose: str) -> tuple[Actor, ChildAccess]:
    actor = actor_from_request(request)
    return actor, child_get_for_user(actor=actor, child_id=child_id, purpose=purpose)


def _page(
    request: HttpRequest, template: str, actor: Actor, access: ChildAccess, **context: Any
) -> HttpResponse:
    form = context.get("form")
    return render(
        request,
        template,
        {
            "access": access,
            "child": access.child,
            "shows_viewers": may_see_who_viewed(access=access, actor=actor),
            "extra_tabs": visible_tabs(access, actor),
            "tab": "casework",
            "is_manager": actor.role == Role.TEAM_MANAGER,
            "page_has_errors": bool(form is not None and form.errors),
            **context,
        },
    )


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def team(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    if actor.role not in (Role.TEAM_MANAGER, Role.SOCIAL_WORKER):
        raise PermissionDenied
    return render(
        request,
        "casework/team.html",
        {
            "unallocated": selectors.team_unallocated(actor=actor) if actor.role == Role.TEAM_MANAGER else [],
            "caseloads": selectors.team_caseloads(actor=actor) if actor.role == Role.TEAM_MANAGER else [],
            "not_seen_alone": selectors.not_seen_alone_alerts(actor=actor),
            "visits_overdue": selectors.visits_overdue(actor=actor),
            "interviews_overdue": selectors.return_interviews_overdue(actor=actor),
            "is_manager": actor.role == Role.TEAM_MANAGER,
        },
    )


def child(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "View casework")
    return _page(
        request,
        "casework/child.html",
        actor,
        access,
        allocations=selectors.child_allocations(access=access),
        plans=selectors.child_plans(access=access),
        visits=selectors.child_visits(access=access)[:20],
        meetings=selectors.child_meetings(access=access)[:20],
        episodes=selectors.child_missing_episodes(access=access),
        feedback=selectors.child_care_council_feedback(access=access),
        closures=selectors.child_closures(access=access),
        visit_clocks=selectors.child_visit_clocks(access=access),
        not_seen_alone=selectors.not_seen_alone_twice(access=access),
        now=timezone.now(),
    )


def allocate(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Allocate workers")
    if actor.role != Role.TEAM_MANAGER or actor.team_id is None:
        raise PermissionDenied
    workers = [(str(u.pk), u.full_name or u.username) for u in services.member_users(actor.team_id)]
    form = cw_forms.AllocateForm(request.POST or None, workers=workers)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_start(
                actor=actor,
                access=access,
                worker_id=uuid.UUID(form.cleaned_data["worker"]),
                basis=form.cleaned_data["basis"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Allocation saved")
            return redirect("casework:child", child_id=child_id)
    return _page(
        request,
        "casework/allocate.html",
        actor,
        access,
        form=form,
        allocations=selectors.child_allocations(access=access),
    )


def allocation_end(request: HttpRequest, child_id: uuid.UUID, relationship_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "End an allocation")
    form = cw_forms.EndAllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_end(
                actor=actor,
                access=access,
                relationship_id=relationship_id,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Allocation ended")
            return redirect("casework:child", child_id=child_id)
    return _page(request, "casework/allocation_end.html", actor, access, form=form)


def visit_new(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a visit")
    form = cw_forms.VisitForm(
        request.POST or None, initial={"statutory": "yes"}, language_age=child_age(access.child.date_of_birth)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(actor=actor, access=access, **form.service_kwargs())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            language_flags_record(actor=actor, outcomes=form.language_outcomes)
            messages.success(request, "Visit recorded")
            return redirect("casework:child", child_id=child_id)
    return _page(request, "casework/visit_form.html", actor, access, form=form)


def _team_advisers(actor: Actor) -> list[tuple[str, str]]:
    if not actor.team_id:
        return []
    return [(str(u.pk), u.full_name or u.username) for u in services.member_users(actor.team_id)]


def plan_new(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Start a plan")
    form = cw_forms.PlanForm(
        request.POST or None,
        advisers=_team_advisers(actor),
        language_age=child_age(access.child.date_of_birth),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        placement = None
        if data["place"]:
            placement = services.PlacementData(
                place=data["place"],
                provider=data["provider"],
                carer_or_setting=data["carer_or_setting"],
                started_on=data["started_on"],
            )
        try:
            plan = services.plan_start(
                actor=actor,
                access=access,
                kind=data["kind"],
                started_on=data["started_on"],
                cp_category=data["cp_category"],
                exploitation_type=data["exploitation_type"],
                summary=data["summary"],
                child_views=data["child_views"],
                personal_adviser_id=uuid.UUID(data["personal_adviser"]) if data["personal_adviser"] else None,
                legal_status=data["legal_status"],
                placement=placement,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            language_flags_record(actor=actor, outcomes=form.language_outcomes)
            messages.success(request, "Plan started")
            return redirect("casework:plan", child_id=child_id, plan_id=plan.pk)
    return _page(request, "casework/plan_form.html", actor, access, form=form)


def plan_detail(request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "View a plan")
    view = selectors.child_plan(access=access, plan_id=plan_id)
    if view is None:
        raise Http404
    form = cw_forms.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_action_add(actor=actor, access=access, plan=view.plan, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Action added")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    current = {entry.dimension: entry for entry in view.pathway}
    return _page(
        request,
        "casework/plan.html",
        actor,
        access,
        view=view,
        form=form,
        dimensions=[(d.value, d.label, current.get(d.value)) for d in PathwayDimension],
    )


def _plan_or_404(access: ChildAccess, plan_id: uuid.UUID, kind: str | None = None) -> selectors.PlanView:
    view = selectors.child_plan(access=access, plan_id=plan_id)
    if view is None or (kind is not None and view.plan.kind != kind):
        raise Http404
    return view


def action_update(
    request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID, action_id: uuid.UUID
) -> HttpResponse:
    actor, access = _access(request, child_id, "Update a plan action")
    view = _plan_or_404(access, plan_id)
    item = next((a for a in view.actions if a.action.pk == action_id), None)
    if item is None:
        raise Http404
    form = cw_forms.ActionUpdateForm(
        request.POST or None,
        initial={"status": item.status, "owner_name": item.owner_name, "due_on": item.due_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_action_status_record(
                actor=actor, access=access, action=item.action, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Action updated")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    return _page(request, "casework/action_form.html", actor, access, form=form, view=view, item=item)


def legal_status_new(request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a change of legal status")
    view = _plan_or_404(access, plan_id, PlanKind.LOOKED_AFTER)
    form = cw_forms.LegalStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_status_record(actor=actor, access=access, plan=view.plan, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Legal status recorded")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    return _page(request, "casework/legal_status_form.html", actor, access, form=form, view=view)


def adviser_change(request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Change the personal adviser")
    view = _plan_or_404(access, plan_id, PlanKind.PATHWAY)
    form = cw_forms.AdviserChangeForm(request.POST or None, advisers=_team_advisers(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.personal_adviser_change(
                actor=actor,
                access=access,
                plan=view.plan,
                adviser_id=uuid.UUID(data["adviser"]),
                effective_on=data["effective_on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Personal adviser changed")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    return _page(request, "casework/adviser_form.html", actor, access, form=form, view=view)


def placement_new(request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a placement move")
    view = _plan_or_404(access, plan_id, PlanKind.LOOKED_AFTER)
    form = cw_forms.PlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        until_18 = data.pop("intended_until_18")
        try:
            services.placement_record(
                actor=actor,
                access=access,
                plan=view.plan,
                data=services.PlacementData(
                    **data, intended_until_18=(until_18 == "yes") if until_18 else None
                ),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Placement move recorded: the first visit is due within a week")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    return _page(request, "casework/placement_form.html", actor, access, form=form, view=view)


def long_term_visits(request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a long-term foster placement visit agreement")
    view = _plan_or_404(access, plan_id, PlanKind.LOOKED_AFTER)
    form = cw_forms.LongTermVisitsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.long_term_visits_agree(
                actor=actor,
                access=access,
                plan=view.plan,
                agreed_on=data["agreed_on"],
                child_agrees=data["child_agrees"] == "yes",
                iro_consulted=data["iro_consulted"] == "yes",
                child_words=data["child_words"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Agreement recorded: statutory visits at least every 6 months")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    return _page(request, "casework/long_term_visits_form.html", actor, access, form=form, view=view)


def pathway_dimension(
    request: HttpRequest, child_id: uuid.UUID, plan_id: uuid.UUID, dimension: str
) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a pathway plan dimension")
    view = _plan_or_404(access, plan_id, PlanKind.PATHWAY)
    if dimension not in PathwayDimension.values:
        raise Http404
    current = next((e for e in view.pathway if e.dimension == dimension), None)
    initial = (
        {"needs": current.needs, "goals": current.goals, "young_persons_words": current.young_persons_words}
        if current
        else None
    )
    form = cw_forms.PathwayEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_entry_record(
                actor=actor, access=access, plan=view.plan, dimension=dimension, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{PathwayDimension(dimension).label} saved")
            return redirect("casework:plan", child_id=child_id, plan_id=plan_id)
    return _page(
        request,
        "casework/pathway_form.html",
        actor,
        access,
        form=form,
        view=view,
        dimension_label=PathwayDimension(dimension).label,
    )


def meeting_new(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a meeting")
    agencies = [(str(a.pk), a.name) for a in Agency.objects.order_by("name")[:200]]
    form = cw_forms.MeetingForm(
        request.POST or None, agencies=agencies, language_age=child_age(access.child.date_of_birth)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invited = set(data["invited"]) | set(data["attended"])
        actions = []
        if data["action_what"]:
            actions.append(
                services.ActionData(
                    what=data["action_what"],
                    owner_name=data["action_owner"],
                    due_on=data["action_due"] or timezone.localdate() + timedelta(days=28),
                )
            )
        try:
            services.meeting_record(
                actor=actor,
                access=access,
                kind=data["kind"],
                held_at=data["held_at"],
                chair=data["chair"],
                decisions=data["decisions"],
                child_views=data["child_views"],
                cp_category=data["cp_category"] if data["kind"] == MeetingKind.ICPC else "",
                invitees=[
                    services.InviteeData(agency_id=uuid.UUID(a), attended=a in data["attended"])
                    for a in invited
                ],
                actions=actions,
                late_reason=data["late_reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            language_flags_record(actor=actor, outcomes=form.language_outcomes)
            messages.success(request, "Meeting recorded")
            return redirect("casework:child", child_id=child_id)
    return _page(request, "casework/meeting_form.html", actor, access, form=form)


def missing_new(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record a missing episode")
    form = cw_forms.MissingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.missing_episode_record(actor=actor, access=access, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Missing episode recorded")
            return redirect("casework:missing", child_id=child_id, episode_id=episode.pk)
    return _page(request, "casework/missing_form.html", actor, access, form=form)


def missing_detail(request: HttpRequest, child_id: uuid.UUID, episode_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "View a missing episode")
    episode = selectors.child_missing_episode(access=access, episode_id=episode_id)
    if episode is None:
        raise Http404
    which = request.POST.get("form")
    return_form = cw_forms.ReturnForm(request.POST if which == "return" else None)
    interview_form = cw_forms.ReturnInterviewForm(request.POST if which == "interview" else None)
    if request.method == "POST":
        try:
            if return_form.is_bound and return_form.is_valid():
                services.missing_episode_return(
                    actor=actor, access=access, episode=episode, **return_form.cleaned_data
                )
                return redirect("casework:missing", child_id=child_id, episode_id=episode_id)
            if interview_form.is_bound and interview_form.is_valid():
                data = dict(interview_form.cleaned_data)
                data["accepted"] = data["accepted"] == "yes"
                services.return_interview_record(actor=actor, access=access, episode=episode, **data)
                return redirect("casework:missing", child_id=child_id, episode_id=episode_id)
        except ValidationError as error:
            _apply_errors(interview_form if which == "interview" else return_form, error)
    return _page(
        request,
        "casework/missing.html",
        actor,
        access,
        episode=episode,
        return_form=return_form,
        form=interview_form,
        interviews=list(episode.return_interviews.all()),
    )


def care_council_new(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Record Children in Care Council feedback")
    form = cw_forms.CareCouncilForm(request.POST or None, initial={"share_with_council": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.care_council_feedback_record(actor=actor, access=access, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Feedback recorded")
            return redirect("casework:child", child_id=child_id)
    return _page(request, "casework/care_council_form.html", actor, access, form=form)


def care_council(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    since = timezone.localdate() - timedelta(days=365)
    return render(
        request,
        "casework/care_council.html",
        {"rows": selectors.care_council_summary(actor=actor, since=since), "since": since},
    )


def closure(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    actor, access = _access(request, child_id, "Close the case")
    pending = next((c for c in selectors.child_closures(access=access) if c.status == "requested"), None)
    is_manager = actor.role == Role.TEAM_MANAGER
    form: forms.Form = (
        cw_forms.ClosureSignOffForm(request.POST or None)
        if pending and is_manager
        else cw_forms.ClosureRequestForm(request.POST or None)
    )
    refused: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            if pending and is_manager:
                services.closure_sign_off(
                    actor=actor, access=access, closure=pending, note=form.cleaned_data["note"]
                )
                messages.success(request, "Case closed")
                return redirect("people:child", child_id=child_id)
            services.closure_request(actor=actor, access=access, reason=form.cleaned_data["reason"])
            messages.success(request, "Closure sent to your manager for sign-off")
            return redirect("casework:child", child_id=child_id)
        except services.ClosureRefused as error:
            refused = error.open_items
        except ValidationError as error:
            _apply_errors(form, error)
    actions, signs_current = services.closure_blockers(access=access)
    return _page(
        request,
        "casework/closure.html",
        actor,
        access,
        form=form,
        pending=pending,
        refused=refused,
        open_actions=actions,
        signs_current=signs_current,
    )
