import SignInForm from "./form";

export default function SignIn() {
  return <SignInForm />;
}
