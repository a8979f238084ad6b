"""The portfolio's pages, a module per group: ``projects`` (my work, the list, the project
page), ``proposals``, ``money`` (spend and outcomes), ``assets`` (artifacts and adoption),
``people`` (roles and one's password); ``common`` holds what they share.

Views read, check permission (404 for what a person may not see, 403 for what they see
but may not change), and hand state changes to ``portfolio.services``.
"""
