"""Work-order store: SQLAlchemy models, the database connection and the one repository
module that actions (and later the gateway) use."""
