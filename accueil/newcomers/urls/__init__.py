from django.urls import include, path

from ..views import referrals

urlpatterns = [
    path("refer/", referrals.refer, name="refer"),
    path("refer/check/", referrals.refer_check, name="refer_check"),
    path("refer/mine/", referrals.referral_list, name="referral_list"),
    path("refer/self/", referrals.self_refer, name="refer_self"),
    path("refer/self/check/", referrals.self_refer_check, name="refer_self_check"),
    path("refer/self/sent/", referrals.self_refer_sent, name="refer_self_sent"),
    path("refer/duplicates/", referrals.duplicate_list, name="duplicate_list"),
    path("refer/duplicates/<int:pk>/", referrals.duplicate_review, name="duplicate_review"),
    path("refer/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path(
        "refer/<int:pk>/eligibility/",
        referrals.eligibility_override,
        name="referral_eligibility",
    ),
    path("households/", include("accueil.newcomers.urls.households")),
]
