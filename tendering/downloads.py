"""Downloads of stored tendering files, through the scoped selectors only (issue 11 #3)."""
from django.shortcuts import get_object_or_404

from backoffice.files import protected_download, protected_file_response
from tendering import selectors


@protected_download
def qualification_document(request, pk):
    qualification = get_object_or_404(selectors.qualification_list_visible_to(user=request.user), pk=pk)
    return protected_file_response(qualification.document, filename=qualification.document_name
                                   or qualification.document.name.rsplit("/", 1)[-1])
