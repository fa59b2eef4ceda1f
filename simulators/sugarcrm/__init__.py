"""A faithful local SugarCRM (Sugar Sell/Enterprise, REST v11): Accounts, Contacts, Leads and
Opportunities (created, updated and deleted), filter and bulk, vardef metadata and language
strings, Target Lists, the OAuth2 password and refresh grants, Sugar's error bodies.

``create_app()`` builds it; ``python -m simulators.sugarcrm --port 8106`` serves it.
"""

from simulators.sugarcrm.app import create_app
from simulators.sugarcrm.state import SugarSim

__all__ = ["SugarSim", "create_app"]
