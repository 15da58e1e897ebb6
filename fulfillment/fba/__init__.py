"""FBA inventory health as pure functions on plain frozen dataclasses: the parts of Amazon's Inventory
Performance Index (``parts``), storage fees and the aged-inventory surcharge with the action that avoids it
(``fees``), and the restock plan (``restock``). Nothing here reads the database except ``plan``, which turns
a restock plan into an FBA inbound shipment."""
