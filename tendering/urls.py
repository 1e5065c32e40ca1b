from django.urls import path

from tendering import downloads
from tendering.views import experts, notices, office, open_data, outputs, portal

app_name = "tendering"

urlpatterns = [
    # office
    path("", office.tender_list, name="tender_list"),
    path("new/", office.tender_create_view, name="tender_create"),
    path("<int:pk>/", office.tender_detail, name="tender_detail"),
    path("<int:pk>/edit/", office.tender_edit, name="tender_edit"),
    path("<int:pk>/lots/new/", office.lot_create_view, name="lot_create"),
    path("<int:pk>/criteria/", office.criteria_edit, name="criteria_edit"),
    path("<int:pk>/action/", office.TenderTransitionView.as_view(), name="tender_action"),
    path("<int:pk>/opening.pdf", outputs.opening_pdf, name="opening_pdf"),
    path("<int:pk>/opening.xlsx", outputs.opening_xlsx, name="opening_xlsx"),
    path("<int:pk>/ocds.json", outputs.ocds_json, name="ocds_json"),
    path("lots/<int:pk>/", office.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/action/", office.LotTransitionView.as_view(), name="lot_action"),
    path("lots/<int:pk>/draw/", office.panel_draw_view, name="panel_draw"),
    path("lots/<int:pk>/retender/", office.lot_retender_view, name="lot_retender"),
    path("lots/<int:pk>/scores.pdf", outputs.scores_pdf, name="scores_pdf"),
    path("lots/<int:pk>/scores.xlsx", outputs.scores_xlsx, name="scores_xlsx"),
    path("lots/<int:pk>/notice.pdf", notices.notice_pdf, name="notice_pdf"),
    path("lots/<int:pk>/contract/basis/", office.contract_basis_view, name="contract_basis"),
    path("contracts/<int:pk>.pdf", outputs.contract_pdf, name="contract_pdf"),
    path("questions/<int:pk>/answer/", office.QuestionTransitionView.as_view(), name="question_answer"),
    path("bids/<int:pk>/document/", outputs.bid_document, name="bid_document"),
    # public notices (公示), no login
    path("notices/", notices.notice_list, name="notice_list"),
    path("open-data/<str:reference>/", open_data.open_data, name="open_data"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    # institution portal
    path("portal/", portal.portal_tenders, name="portal_tenders"),
    path("portal/tenders/<int:pk>/", portal.portal_tender, name="portal_tender"),
    path("portal/lots/<int:pk>/bid/", portal.portal_bid, name="portal_bid"),
    path("portal/bids/", portal.portal_bids, name="portal_bids"),
    path("portal/bids/<int:pk>/", portal.portal_bid_detail, name="portal_bid_detail"),
    path("portal/bids/<int:pk>/action/", portal.BidTransitionView.as_view(), name="bid_action"),
    path("portal/lots/<int:pk>/question/", portal.portal_question, name="portal_question"),
    path("portal/profile/", portal.portal_profile, name="portal_profile"),
    path("qualifications/<int:pk>/document/", downloads.qualification_document, name="qualification_document"),
    # experts
    path("panels/", experts.expert_panels, name="expert_panels"),
    path("panels/<int:pk>/", experts.expert_score, name="expert_score"),
]
