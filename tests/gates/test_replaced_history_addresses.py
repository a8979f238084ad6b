"""The replaced-history page marks every e-mail address it shows for breaking after its "@"
and its dots (``<wbr>``, the ``breakable`` filter), as every other page that shows one does:
on a phone a long address wraps as "a.very.long.name@ / research.example.com", not mid-word.
It wrote them plain: the researcher, the product manager, who decided, who voted, who was
reminded, who estimated.
"""

from __future__ import annotations

import re

from gates.interchange import export_portfolio, import_portfolio
from portfolio.models import ReplacedHistory
from tests.gates.replacing import edit_every_project
from tests.gates.test_replaced_history import decided_panel
from tests.gates.test_replaced_history_format import killed_history  # noqa: F401 (a fixture)

ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def plain_addresses(html: str) -> list[str]:
    """The addresses of the page's main content written without a break after "@" or a dot."""
    main = html[html.index("<main") :]
    return ADDRESS.findall(main)


def test_the_archived_project_s_people_and_deciders_may_break_at_their_at_and_dots(
    client,
    killed_history,  # noqa: F811 (the fixture imported above)
    bob,
):
    client.force_login(bob)

    html = client.get(killed_history.get_absolute_url()).content.decode()

    facts = html[html.index("<dt>Researcher</dt>") : html.index("Projected value (low")]
    assert facts.count("@<wbr>example.<wbr>com") == 2, facts  # researcher, product manager
    decisions = html[html.index('id="decisions-title"') : html.index('id="panel-title"')]
    assert "pm1@<wbr>example.<wbr>com" in decisions
    assert "architect3@<wbr>example.<wbr>com" in html  # the estimate's author
    assert plain_addresses(html) == []


def test_the_archived_votes_and_reminders_addresses_may_break(
    client, tmp_path, alice, bob, carol, sam
):
    project = decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    edit_every_project()
    import_portfolio(tmp_path, actor=sam, replace=True)
    client.force_login(alice)

    html = client.get(ReplacedHistory.objects.get(project=project).get_absolute_url())
    html = html.content.decode()

    votes = html[html.index('id="panel-title"') : html.index('id="spend-title"')]
    assert votes.count("carol@<wbr>example.<wbr>com") >= 2  # her vote, and the open review's
    assert "bob@<wbr>example.<wbr>com" in votes
    assert plain_addresses(html) == []
