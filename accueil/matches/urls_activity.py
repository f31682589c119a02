from django.urls import path

from .views import activity

urlpatterns = [
    # Members of the matched group.
    path("my-matches/<int:pk>/activity/new/", activity.activity_new, name="activity_new"),
    path("my-matches/<int:pk>/activity/", activity.activity_list, name="activity_list"),
    path("my-matches/<int:pk>/plan/", activity.my_match_plan, name="my_match_plan"),
    path("my-matches/<int:pk>/plan/new/", activity.my_match_goal_new, name="my_match_goal_new"),
    path(
        "my-matches/<int:pk>/plan/<int:goal_pk>/",
        activity.my_match_goal_edit,
        name="my_match_goal_edit",
    ),
    # Staff of the match's program.
    path("matches/<int:pk>/activity/", activity.match_activity, name="match_activity"),
    path("matches/<int:pk>/plan/", activity.match_plan, name="match_plan"),
    path("matches/<int:pk>/plan/new/", activity.match_goal_new, name="match_goal_new"),
    path("matches/<int:pk>/plan/<int:goal_pk>/", activity.match_goal_edit, name="match_goal_edit"),
]
