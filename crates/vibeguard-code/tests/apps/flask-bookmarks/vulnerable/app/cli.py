"""Management commands."""
import click

from .auth import hash_password
from .models import User, db


@click.command("create-admin")
@click.argument("email")
@click.password_option()
def create_admin(email, password):
    """Create an administrator account."""
    user = User(email=email, name="Administrator", password_hash=hash_password(password), is_admin=True)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {email}")


@click.command("count-users")
def count_users():
    """Print how many users exist."""
    click.echo(str(User.query.count()))


def register(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(count_users)
