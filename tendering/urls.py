from django.urls import path

from tendering import views

app_name = "tendering"

urlpatterns = [
    # office
    path("", views.tender_list, name="tender_list"),
    path("new/", views.tender_create_view, name="tender_create"),
    path("<int:pk>/", views.tender_detail, name="tender_detail"),
    path("<int:pk>/edit/", views.tender_edit, name="tender_edit"),
    path("<int:pk>/lots/new/", views.lot_create_view, name="lot_create"),
    path("<int:pk>/criteria/", views.criteria_edit, name="criteria_edit"),
    path("<int:pk>/action/", views.TenderTransitionView.as_view(), name="tender_action"),
    path("<int:pk>/opening.pdf", views.opening_pdf, name="opening_pdf"),
    path("<int:pk>/opening.xlsx", views.opening_xlsx, name="opening_xlsx"),
    path("<int:pk>/ocds.json", views.ocds_json, name="ocds_json"),
    path("lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/action/", views.LotTransitionView.as_view(), name="lot_action"),
    path("lots/<int:pk>/draw/", views.panel_draw_view, name="panel_draw"),
    path("lots/<int:pk>/retender/", views.lot_retender_view, name="lot_retender"),
    path("lots/<int:pk>/scores.pdf", views.scores_pdf, name="scores_pdf"),
    path("lots/<int:pk>/scores.xlsx", views.scores_xlsx, name="scores_xlsx"),
    path("lots/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("lots/<int:pk>/contract/basis/", views.contract_basis_view, name="contract_basis"),
    path("questions/<int:pk>/answer/", views.QuestionTransitionView.as_view(), name="question_answer"),
    path("bids/<int:pk>/document/", views.bid_document, name="bid_document"),
    # public notices (公示), no login
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    # institution portal
    path("portal/", views.portal_tenders, name="portal_tenders"),
    path("portal/tenders/<int:pk>/", views.portal_tender, name="portal_tender"),
    path("portal/lots/<int:pk>/bid/", views.portal_bid, name="portal_bid"),
    path("portal/bids/", views.portal_bids, name="portal_bids"),
    path("portal/bids/<int:pk>/", views.portal_bid_detail, name="portal_bid_detail"),
    path("portal/bids/<int:pk>/action/", views.BidTransitionView.as_view(), name="bid_action"),
    path("portal/lots/<int:pk>/question/", views.portal_question, name="portal_question"),
    path("portal/profile/", views.portal_profile, name="portal_profile"),
    # experts
    path("panels/", views.expert_panels, name="expert_panels"),
    path("panels/<int:pk>/", views.expert_score, name="expert_score"),
]
