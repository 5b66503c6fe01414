from django.urls import path

from tqr.teachers import views

urlpatterns = [
    path("import/", views.teacher_import, name="teacher_import"),
    path("import/template.xlsx", views.teacher_import_template, name="teacher_import_template"),
    # <str:token>: any text reaches the view, which accepts only its own 32-hex UUID form (never a path).
    path("import/<str:token>/commit/", views.teacher_import_commit, name="teacher_import_commit"),
]
